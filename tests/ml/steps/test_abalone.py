from __future__ import annotations

import json

import numpy as np
import pytest

import abalone

ROW = "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15"


def rows(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_parses_the_documented_layout_and_skips_blank_lines() -> None:
    frame = abalone.parse_rows(
        rows(ROW, "", "I,0.33,,0.08,0.2,0.09,0.04,0.06,7"), with_label=True, source="f.csv"
    )
    assert list(frame.columns) == list(abalone.COLUMNS)
    assert frame[abalone.SEX].tolist() == ["M", "I"]
    assert np.isnan(frame["diameter"].iloc[1])
    assert frame[abalone.LABEL].tolist() == [15, 7]


def test_crlf_rows_parse_into_float_columns_and_stray_spaces_leave_the_sex() -> None:
    frame = abalone.parse_rows(
        f"{ROW}\r\n F ,1,2,3,4,5,6,7,8\r\n".encode(), with_label=True, source="f.csv"
    )
    assert frame[abalone.SEX].tolist() == ["M", "F"]
    assert frame["length"].tolist() == [0.455, 1.0]
    assert all(frame[c].dtype == np.float64 for c in abalone.NUMERIC_FEATURES)


def test_line_numbers_count_blank_and_whitespace_lines() -> None:
    data = f"{ROW}\r\n\r\n \t\r\n{ROW.replace('0.365', 'abc')}\r\n".encode()
    with pytest.raises(abalone.DataError, match=r"\(e\.g\. 'abc'\) on line 4$"):
        abalone.parse_rows(data, with_label=True, source="f.csv")


def test_a_wrong_field_count_is_reported_before_a_bad_value() -> None:
    data = rows(ROW.replace("0.365", "abc"), "M,1,2")
    with pytest.raises(abalone.DataError, match=r"found 3 on line 2$"):
        abalone.parse_rows(data, with_label=True, source="f.csv")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "f.csv: the file has no rows"),
        (b"\n\n", "f.csv: the file has no rows"),
        (
            rows(ROW, "M,1,2"),
            "expected 9 columns (sex, length, diameter, height, whole_weight, "
            "shucked_weight, viscera_weight, shell_weight, rings), found 3 on line 2",
        ),
        (rows(ROW, ROW + ",1", ROW + ",1"), "found 10 on line 2, 3"),
        (rows(ROW.replace("M,", "X,")), "sex has unknown category 'X' (allowed: F/I/M) on line 1"),
        (rows(ROW.replace("M,", ",")), "sex is missing on line 1"),
        (rows(ROW, ROW.replace("0.365", "abc")), "diameter is not a number (e.g. 'abc') on line 2"),
        (rows(ROW[: ROW.rindex(",")] + ","), "the label rings is missing on line 1"),
        (rows(ROW.replace(",15", ",-2")), "rings is negative on line 1"),
    ],
)
def test_bad_rows_name_what_is_wrong_and_where(data: bytes, message: str) -> None:
    with pytest.raises(abalone.DataError, match=r"^f\.csv: ") as caught:
        abalone.parse_rows(data, with_label=True, source="f.csv")
    assert message.removeprefix("f.csv: ") in str(caught.value)


def test_many_bad_lines_are_summarised() -> None:
    bad = [ROW.replace("M,", "Q,")] * 8
    with pytest.raises(abalone.DataError, match=r"on line 1, 2, 3, 4, 5 and 3 more$"):
        abalone.parse_rows(rows(*bad), with_label=True, source="f.csv")


def test_rows_to_score_have_no_label() -> None:
    frame = abalone.parse_rows(rows(ROW.rsplit(",", 1)[0]), with_label=False, source="request")
    assert list(frame.columns) == list(abalone.FEATURES)
    with pytest.raises(abalone.DataError, match="expected 8 columns"):
        abalone.parse_rows(rows(ROW), with_label=False, source="request")


def _preprocessing() -> dict[str, object]:
    names = abalone.NUMERIC_FEATURES
    return abalone.fitted_preprocessing(
        dict.fromkeys(names, 1.0), dict.fromkeys(names, 0.5), dict.fromkeys(names, 2.0)
    )


def test_transform_imputes_scales_and_one_hot_encodes() -> None:
    frame = abalone.parse_rows(rows("F,1.5,,0.5,0.5,0.5,0.5,0.5"), with_label=False, source="r")
    matrix = abalone.transform(frame, _preprocessing())
    assert matrix.dtype == np.float32
    # length (1.5-0.5)/2, diameter imputed with median 1.0 -> 0.25, then one-hot F, I, M.
    assert matrix[0].tolist() == [0.5, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]


def test_preprocessing_document_is_versioned() -> None:
    text = json.dumps(_preprocessing())
    assert abalone.load_preprocessing(text)["feature_names"][-3:] == ["sex_F", "sex_I", "sex_M"]
    with pytest.raises(
        abalone.DataError, match="version 2 is not supported; this code reads version 1"
    ):
        abalone.load_preprocessing(text.replace('"version": 1', '"version": 2'))
    with pytest.raises(abalone.DataError, match="not a preprocessing document"):
        abalone.load_preprocessing("{}")

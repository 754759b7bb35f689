"""No replacement collides with the resource it replaces (table: components/replacements.py)."""

from __future__ import annotations

from components.pipeline import TYPE_TOKEN
from components.replacements import REPLACED_BY
from ml.contract import ResourceNames
from offline.recorder import RecordedResource, StackGraph


def literal_same_identity_inputs(resource: RecordedResource) -> list[str]:
    """Inputs that would replace the resource under its own identity, set to a literal (not
    to another resource's output, whose own replacement would bring a new identity)."""
    replacement = REPLACED_BY[resource.type]
    return [
        key
        for key in replacement.others
        if key in resource.inputs and not resource.property_dependencies.get(key)
    ]


def test_a_literal_that_forces_replacement_under_a_fixed_name_deletes_first(
    every_rendering: list[StackGraph],
) -> None:
    risky = {
        (graph.stack, r.name): literal_same_identity_inputs(r)
        for graph in every_rendering
        for r in graph.resources
        if r.type != TYPE_TOKEN and literal_same_identity_inputs(r)
    }
    assert {name for _, name in risky} == {
        "batch-inference-model-group",
        "batch-inference-promoted-artifact",
    }
    for graph in every_rendering:
        for resource in graph.resources:
            if (graph.stack, resource.name) in risky:
                assert resource.delete_before_replace, (graph.stack, resource.name)


def test_the_promoted_model_is_renamed_by_every_literal_that_replaces_it() -> None:
    names = ResourceNames("ml-batch-pipeline", "prod", "333333333333", "eu-west-1")
    served = ("s3://b/models/m.tar.gz", "1.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1")
    base = names.promoted_model(*served)
    assert names.promoted_model(*served, "subnet-0abc1234", "sg-0abc1234") != base
    assert names.promoted_model(served[0], served[1] + "x") != base
    assert names.promoted_model(served[0] + "x", served[1]) != base
    assert len(base) <= 63  # CreateModel's ModelName limit


def test_the_check_sees_a_literal_on_a_fixed_name(graphs: dict[str, StackGraph]) -> None:
    topic = graphs["dev"].one("aws:sns/topic:Topic")
    fifo = RecordedResource(**{**topic.__dict__, "inputs": {**topic.inputs, "fifoTopic": False}})
    assert literal_same_identity_inputs(fifo) == ["fifoTopic"]
    policy = graphs["dev"].one("aws:sns/topicPolicy:TopicPolicy")
    # Its topic is another resource's output: replaced only with a new topic ARN.
    assert literal_same_identity_inputs(policy) == []

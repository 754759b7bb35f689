"""Render stacks with no cloud account: the program under Pulumi's mocks, recorded as a graph."""

"""Pure builders of every JSON document the component deploys: plain values in, dicts out.

Nothing here imports pulumi, so each document is tested directly, and the component turns its
Outputs into plain values once, at the edge.
"""

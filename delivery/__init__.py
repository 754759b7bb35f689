"""What the delivery steps ask Pulumi outside a program run (kept out of ml/, which never
imports `pulumi`)."""

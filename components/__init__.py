"""Pulumi wiring of the batch inference pipeline; the JSON documents it uses live in
`components.documents` as pure functions (no pulumi import), tested without mocks."""

"""pydantic v1 models: the single schema source for requests, responses, events and storage."""

"""Pull-request mode: the webhook event, the REST client, and publishing a converging review."""

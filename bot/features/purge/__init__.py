"""`/purge`: moderators delete a chat's latest messages in bulk."""

"""A local simulated chat: try the bot without a token, and script scenarios."""

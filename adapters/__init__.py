"""Platform adapters (Telegram, Discord, the console) and the app's wiring."""

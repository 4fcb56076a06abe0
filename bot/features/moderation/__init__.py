"""features/moderation"""

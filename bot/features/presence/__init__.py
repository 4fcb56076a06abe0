"""features/presence"""

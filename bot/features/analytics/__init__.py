"""features/analytics"""

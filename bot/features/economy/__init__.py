"""features/economy"""

"""features/points"""

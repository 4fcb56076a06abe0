"""features/welcome"""

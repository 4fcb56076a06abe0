"""features/risk"""

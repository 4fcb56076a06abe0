"""features/risk/spam"""

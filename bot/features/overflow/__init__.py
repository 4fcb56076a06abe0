"""features/overflow"""

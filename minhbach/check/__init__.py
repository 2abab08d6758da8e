"""The check: every rule on the content, its located messages, and the cache of what it
found.
"""

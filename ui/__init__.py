"""The Streamlit edge: the cached store, the acting user, shared widgets and chart builders.

Nothing here decides a business rule; it only connects pages to alignment/.
"""

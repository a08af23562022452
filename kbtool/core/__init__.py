"""The bottom of the house: typed errors, safe file reading and writing, what may be shown.

Imports nothing of kbtool; every layer may import it.
"""

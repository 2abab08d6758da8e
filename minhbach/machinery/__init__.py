"""The build's machinery: the command line, the one cache, the record of the last build,
processes, memory and the file tree.
"""

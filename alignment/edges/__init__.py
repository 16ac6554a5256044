"""The edges of the domain: the command line, the meeting pack's PDF and XLSX, opening the
store."""

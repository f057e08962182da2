"""What every layer uses: the error family, text handling, atomic writes, the French labels."""

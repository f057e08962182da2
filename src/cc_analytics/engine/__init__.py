"""Pure rules and numbers: results per candidate, aggregates, agreement, promotions, privacy and
the statistics behind them. Functions over DataFrames; nothing here reads or writes a file."""

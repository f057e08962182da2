"""The 0 (non acquis) – 4 (expert) scale's defaults, for a referentiel that does not say."""

#: Scores from this value up are acquired, unless the referentiel or the rules say otherwise.
DEFAULT_ACQUISITION_THRESHOLD = 2
#: Usual labels of the 0..4 scale; the seed itself labels only 0 and 4.
DEFAULT_SCALE_LABELS = ("non acquis", "en cours d'acquisition", "acquis", "maîtrisé", "expert")

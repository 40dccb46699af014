"""Training-time code: corpora readers, the BiLSTM and CNN trainers, augmentation, calibration.

Nothing here runs in ``pinghu-ner run``: the runtime stages import none of it, so the runtime
needs neither PyTorch nor the corpora.  ``corpora`` (read MSRA / People's Daily / CLUENER with one
label mapping each) is also what the evaluation reads its corpus test sets with.
"""

"""Weights of the OCR-B cell classifier (made by tools/train_ocrb.py); a package so wheels ship them."""

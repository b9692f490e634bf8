"""OCR-B cell classifier weights (tools/train_ocrb.py); a package so wheels ship them."""

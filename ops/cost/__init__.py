"""`ops cost`: what a stack's offline plan costs a month, itemised, from a price file per region.

`prices.py` reads `prices/<region>.json` (list prices with their date and sources);
`estimate.py` prices each resource of the plan and the usage it assumes (`webstack:usage`);
`report.py` prints an estimate, or the difference between two.
"""

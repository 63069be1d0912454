"""What a scenario's resources cost per unit, region by region, and where each figure is
from: the catalogue shipped as package data (`catalogue.csv`, every row with its source and
date), a user's own price files (the catalogue's CSV, or AWS Price List JSON as AWS
publishes it), and the resolution of a scenario's prices with the `costs` derived at them.
"""

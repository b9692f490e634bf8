"""imdms: the border-post terminal of Lesotho's Integrated Migration Data Management System."""

__version__ = "0.1.0"

import setuptools


setuptools.setup(
    name="cellprofiling",
    version="0.1.0",
    description="Representation learning for high-throughput image collections",
    license="BSD",
    packages=["cellprofiling"],
    install_requires=[
        "click>=6.7",
        "keras>=2.2.4",
        "numpy>=1.13",
        "pandas>=0.23.0",
        "scikit-image>=0.14.0",
        "scipy>=1.1",
        "tensorflow==1.12.2"
    ],
    extras_require={
        "test": [
            "pytest>=3.6",
        ]
    }
)

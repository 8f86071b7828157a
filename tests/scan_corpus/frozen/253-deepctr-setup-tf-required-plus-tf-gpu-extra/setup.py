import setuptools

with open("README.md", "r") as fh:
    long_description = fh.read()

REQUIRED_PACKAGES = [
    'tensorflow>=1.4.0,!=1.7.*,!=1.8.*,<=1.13.1',
    'h5py'
]

setuptools.setup(
    name="ctrmodels",
    version="0.4.0",
    description="Click-through-rate prediction models with tensorflow.",
    long_description=long_description,
    long_description_content_type="text/markdown",
    packages=setuptools.find_packages(exclude=["tests", "tests.models"]),
    python_requires='>=2.7',
    install_requires=REQUIRED_PACKAGES,
    extras_require={
        "tf": ['tensorflow>=1.4.0,!=1.7.*,!=1.8.*,<=1.12.0'],
        "tf_gpu": ['tensorflow-gpu>=1.4.0,!=1.7.*,!=1.8.*,<=1.12.0'],
    },
    entry_points={
    },
    license="Apache-2.0",
)

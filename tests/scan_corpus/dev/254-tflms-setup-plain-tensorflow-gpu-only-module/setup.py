from setuptools import find_packages
from setuptools import setup

install_requires = [
    'tensorflow >= 1.5',
    'toposort >= 1.5',
]

setup(
    name='tf-swap-memory',
    version='0.1.0',
    description='Graph editing library that swaps GPU tensors to host memory',
    packages=find_packages(),
    install_requires=install_requires
)

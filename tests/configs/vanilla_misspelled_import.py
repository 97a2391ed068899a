# The real vanilla baseline with a misspelled plugin import: training must
# stop at start-up with an error naming `adautomix_mn`.
_base_ = ['../../configs/baselines/vanilla/vanilla_resnet18-w16_1xb64-5e_fmnist-embedded.py']

custom_imports = dict(imports=['adautomix_mn'], allow_failed_imports=False)

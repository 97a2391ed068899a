# The real vanilla baseline made deterministic on CPU for the resume test:
# no random augmentation (the train pipeline only packs the images), a fixed
# seed, and data order given by DefaultSampler(seed, epoch) alone.
_base_ = ['../../configs/baselines/vanilla/vanilla_resnet18-w16_1xb64-5e_fmnist-embedded.py']

train_dataloader = dict(dataset=dict(pipeline=[dict(type='PackInputs')]))
randomness = dict(seed=0, deterministic=False)

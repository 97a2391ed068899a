# CUB-200-2011 (200 classes, 5,994 train / 5,794 test); pipelines and batch:
# finegrained_224.py. Layout: docs/datasets.md.
_base_ = ['./finegrained_224.py']

dataset_type = 'CUB'
data_preprocessor = dict(num_classes=200)
train_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root='data/CUB_200_2011', split='train'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root='data/CUB_200_2011', split='test'))
test_dataloader = val_dataloader

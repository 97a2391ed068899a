# FGVC-Aircraft 2013b (100 variants, 6,667 trainval / 3,333 test); pipelines
# and batch: finegrained_224.py. Layout: docs/datasets.md.
_base_ = ['./finegrained_224.py']

dataset_type = 'FGVCAircraft'
data_preprocessor = dict(num_classes=100)
train_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root='data/fgvc-aircraft-2013b', split='trainval'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root='data/fgvc-aircraft-2013b', split='test'))
test_dataloader = val_dataloader

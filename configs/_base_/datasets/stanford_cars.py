# Stanford Cars (196 classes, 8,144 train / 8,041 test); pipelines and batch:
# finegrained_224.py. Layout: docs/datasets.md.
_base_ = ['./finegrained_224.py']

dataset_type = 'StanfordCars'
data_preprocessor = dict(num_classes=196)
train_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root='data/Stanford_Cars', split='train'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root='data/Stanford_Cars', split='test'))
test_dataloader = val_dataloader

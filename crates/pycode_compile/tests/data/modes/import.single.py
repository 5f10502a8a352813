import os.path as p

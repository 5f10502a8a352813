'a' f'\N '

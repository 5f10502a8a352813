lambda /, a: None

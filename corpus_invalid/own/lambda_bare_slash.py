lambda /: None

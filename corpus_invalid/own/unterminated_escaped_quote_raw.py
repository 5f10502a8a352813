r"blech\"

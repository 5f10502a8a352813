café = "été"
x = f"é{café}é"

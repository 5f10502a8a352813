[]: int

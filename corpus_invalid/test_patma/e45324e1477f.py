
        match 42:
            case x:
                pass
            case y:
                pass
        
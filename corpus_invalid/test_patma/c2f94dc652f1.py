
        match ...:
            case 0j+0:
                pass
        

        match ...:
            case (_ as x) | [x]:
                pass
        
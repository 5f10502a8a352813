
        match ...:
            case {f"": _}:
                pass
        
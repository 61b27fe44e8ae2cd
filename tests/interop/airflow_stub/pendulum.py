"""Stand-in for pendulum: records datetime(...) arguments."""


def datetime(year, month, day, hour=0, minute=0, second=0, tz="UTC"):
    return {"year": year, "month": month, "day": day, "hour": hour, "minute": minute, "second": second, "tz": tz}

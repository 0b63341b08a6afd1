"""Tables the CLI tests make: a census-like classification table (mixed types, missing values, string
labels, an ID column) and a California-housing-shaped regression table."""

import numpy as np

CITIES = np.array([[34.05, -118.25, 0.35], [37.77, -122.42, 0.2], [32.72, -117.16, 0.12],
                   [38.58, -121.49, 0.1], [36.74, -119.79, 0.1], [33.9, -117.4, 0.13]])


def housing(n: int, seed: int):
    """The columns of scikit-learn's ``fetch_california_housing`` (block groups of California) with
    similar ranges: median income, house age 1-52, rooms and bedrooms per household, population,
    occupancy, latitude/longitude around six metropolitan areas; the value (in $100,000s, capped at 5 as
    in the census data) rises with income, near the three largest cities and towards the coast, with
    multiplicative noise."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    city = rng.choice(len(CITIES), n, p=CITIES[:, 2] / CITIES[:, 2].sum())
    lat = CITIES[city, 0] + rng.normal(0, 0.35, n)
    lon = CITIES[city, 1] + rng.normal(0, 0.35, n)
    coast = np.clip((-lon - 117 - (lat - 32.5) * 0.9) / 1.5, -1, 3)
    income = np.clip(rng.lognormal(1.25, 0.45, n), 0.5, 15)
    age = rng.integers(1, 53, n).astype(float)
    rooms = np.clip(rng.normal(5.3, 1.2, n) + 0.25 * (income - 3.5), 1.5, 12)
    bedrooms = np.clip(rooms * rng.normal(0.2, 0.02, n), 0.5, 3)
    population = np.round(np.clip(rng.lognormal(7.0, 0.7, n), 3, 30000))
    occupancy = np.clip(rng.lognormal(1.05, 0.25, n), 0.8, 10)
    near = np.exp(-((lat[:, None] - CITIES[None, :3, 0]) ** 2 + (lon[:, None] - CITIES[None, :3, 1]) ** 2)
                  / 0.5).sum(axis=1)
    value = (0.45 * income + 1.1 * near + 0.35 * np.tanh(coast) + 0.006 * age - 0.15 * np.log(occupancy)
             + 0.05 * (rooms - 5) - 0.25 + 0.015 * np.log1p(population))
    value = np.clip(value * np.exp(rng.normal(0, 0.18, n)), 0.15, 5.00001)
    return pd.DataFrame({"MedInc": income.round(4), "HouseAge": age, "AveRooms": rooms.round(5),
                         "AveBedrms": bedrooms.round(5), "Population": population, "AveOccup": occupancy.round(5),
                         "Latitude": lat.round(2), "Longitude": lon.round(2), "MedHouseVal": value.round(5)})


def census(n: int, seed: int):
    """A census-like table: an ID, numbers (age, hours, capital gain) with missing values, text
    categories (workclass, education, marital status, occupation, sex) with missing values, a small
    integer count (children) and a boolean; the label '>50K' or '<=50K' follows a logistic model of
    them with one interaction."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    education = np.array(["Preschool", "HS-grad", "Some-college", "Assoc", "Bachelors", "Masters", "Prof-school",
                          "Doctorate"])
    education_effect = np.array([-1.5, -0.6, -0.2, 0.0, 0.7, 1.1, 1.5, 1.6])
    workclass = np.array(["Private", "Self-emp", "Federal-gov", "State-gov", "Without-pay"])
    workclass_effect = np.array([0.0, 0.3, 0.4, 0.1, -1.5])
    marital = np.array(["Married", "Never-married", "Divorced", "Widowed", "Separated"])
    marital_effect = np.array([1.0, -0.9, -0.4, -0.3, -0.6])
    occupation = np.array(["Exec", "Prof", "Tech", "Sales", "Clerical", "Service", "Craft", "Transport", "Farming",
                           "Handlers"])
    occupation_effect = np.array([0.9, 0.8, 0.5, 0.2, -0.2, -0.7, 0.0, -0.2, -0.6, -0.8])

    age = np.clip(rng.normal(39, 13, n), 17, 90).round()
    e = rng.choice(len(education), n, p=[0.02, 0.32, 0.22, 0.08, 0.17, 0.11, 0.04, 0.04])
    w = rng.choice(len(workclass), n, p=[0.7, 0.12, 0.06, 0.1, 0.02])
    m = rng.choice(len(marital), n, p=[0.46, 0.33, 0.13, 0.04, 0.04])
    o = rng.choice(len(occupation), n)
    female = rng.random(n) < 0.33
    hours = np.clip(rng.normal(40, 12, n), 1, 99).round()
    gain = np.where(rng.random(n) < 0.09, rng.lognormal(8, 1.2, n), 0.0).round()
    children = rng.poisson(0.9, n).clip(0, 5)
    owns_home = rng.random(n) < 0.55
    logit = (-2.3 + 0.045 * (age - 39) - 0.0009 * (age - 39) ** 2 + education_effect[e] + workclass_effect[w]
             + marital_effect[m] + occupation_effect[o] - 0.45 * female + 0.03 * (hours - 40)
             + 0.35 * np.log1p(gain) - 0.1 * children + 0.3 * owns_home
             + 0.5 * (education_effect[e] > 1.0) * (hours > 45))
    label = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), ">50K", "<=50K")
    frame = pd.DataFrame({
        "customer_id": rng.permutation(n) + 100000, "age": age, "workclass": workclass[w].astype(object),
        "education": education[e].astype(object), "marital_status": marital[m].astype(object),
        "occupation": occupation[o].astype(object), "sex": np.where(female, "Female", "Male").astype(object),
        "hours_per_week": hours, "capital_gain": gain, "children": children, "owns_home": owns_home,
        "income": label})
    for column, rate in (("age", 0.03), ("workclass", 0.05), ("occupation", 0.06), ("hours_per_week", 0.04)):
        frame.loc[rng.random(n) < rate, column] = np.nan
    return frame

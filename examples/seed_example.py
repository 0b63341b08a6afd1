"""The guide's Keras example, run on neuronet: only the ``keras`` imports are changed.

A 20-feature binary classification problem (scikit-learn's make_classification, 1000 samples, 80/20
split): Dense(64, relu) → Dense(1, sigmoid), Adam, binary cross-entropy, 10 epochs with validation,
then class predictions and the test accuracy.
"""

from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

from neuronet.layers import Dense
from neuronet.models import Sequential
from neuronet.optimizers import Adam

# data: 1000 samples, 20 features (10 informative), split 80/20
X, y = make_classification(n_samples=1000, n_features=20, n_informative=10, random_state=42)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)

# the guide's model
model = Sequential()
model.add(Dense(units=64, activation='relu', input_dim=20))
model.add(Dense(units=1, activation='sigmoid'))
model.compile(optimizer=Adam(learning_rate=0.001), loss='binary_crossentropy', metrics=['accuracy'])
model.fit(X_train, y_train, epochs=10, batch_size=32, validation_data=(X_test, y_test))
y_pred = model.predict_classes(X_test)

# not in the guide: print how well it did
accuracy = float((y_pred.ravel() == y_test).mean())
print(f"Test accuracy: {accuracy:.4f}  ({int((y_pred.ravel() == y_test).sum())} of {len(y_test)} test samples "
      "classified correctly)")
